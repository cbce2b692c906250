import { writeFile } from 'node:fs/promises';
import type { LocalAlertsWiring, ShownAlert } from './local-alerts.js';

/**
 * What `stocktally start` prints of the alerts after a run: per channel, its format, how many
 * messages of each kind it received, and the first line of the first message of each kind; and it
 * writes everything the chat sink received (whole bodies) and the emails to DIR/alerts-received.json.
 */
const KIND_NAMES: Readonly<Record<string, string>> = {
  red: 'RED',
  'red-more': 'RED (folded)',
  'all-clear': 'all-clear',
  'yellow-digest': 'YELLOW digest',
  'daily-digest': 'daily digest',
  overdue: 'overdue for the books',
};

export function alertLines(shown: readonly ShownAlert[]): string[] {
  const byChannel = new Map<string, ShownAlert[]>();
  for (const alert of shown) {
    const list = byChannel.get(alert.channel) ?? [];
    list.push(alert);
    byChannel.set(alert.channel, list);
  }
  const lines: string[] = [];
  for (const [channel, alerts] of byChannel) {
    const kinds = new Map<string, ShownAlert[]>();
    for (const a of alerts) kinds.set(a.kind, [...(kinds.get(a.kind) ?? []), a]);
    const counts = [...kinds].map(([kind, list]) => `${list.length} ${KIND_NAMES[kind] ?? kind}`).join(', ');
    lines.push(`${channel} (${alerts[0]?.format ?? '?'}): ${counts}`);
    for (const list of kinds.values()) lines.push(`  ${list[0]?.firstLine ?? ''}`);
  }
  return lines;
}

/** Waits for the deliveries under way, then the lines to print and the file of what was received. */
export async function alertReport(alerts: LocalAlertsWiring, file: string): Promise<string[]> {
  await alerts.publisher.idle();
  const received = {
    chat: alerts.sink.received().map((m) => ({ channel: m.channel, format: m.type, at: m.at, body: m.body })),
    email: alerts.publisher.emails.map((e) => ({
      channel: e.channel,
      kind: e.kind,
      subject: e.subject,
      text: e.message,
    })),
    deadLetters: alerts.publisher.deadLetters.map((d) => ({
      channel: d.alert.channel,
      id: d.alert.id,
      receives: d.receives,
    })),
  };
  await writeFile(file, `${JSON.stringify(received, null, 2)}\n`);
  const lines = alertLines(alerts.shown());
  for (const dead of alerts.publisher.deadLetters) {
    lines.push(
      `${dead.alert.channel}: NOT delivered after ${dead.receives} receives (dead letter): ${dead.alert.id}`,
    );
  }
  return lines;
}
