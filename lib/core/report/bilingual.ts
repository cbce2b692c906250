/** A label in both languages: Chinese first, as finance reads it (CONTRACT §6 vocabulary). */
export interface Bilingual {
  zh: string;
  en: string;
}
