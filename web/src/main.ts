import { html, render } from 'lit-html';
import { startApp } from './app.js';
import { beginCognitoSignIn, cognitoSession, localSession, parseConfig, type AuthEnv } from './auth.js';
import { initLanguage, setLanguage, t } from './i18n.js';
import './styles.css';

async function main(): Promise<void> {
  const root = document.querySelector<HTMLElement>('#app');
  if (root === null) return;
  setLanguage(initLanguage(localStorage), undefined);
  const fail = (text: string) =>
    render(html`<main><div class="error">${t('errorPrefix')}: ${text}</div></main>`, root);
  let config;
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`config.json: ${response.status}`);
    config = parseConfig(await response.json());
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
    return;
  }
  const env: AuthEnv = {
    storage: sessionStorage,
    location: window.location,
    history: window.history,
    fetch: (input, init) => fetch(input, init),
  };
  if (config.mode === 'local') {
    const session = localSession(env);
    if (session === undefined) {
      fail(`${t('unauthorized')} (stocktally start: http://127.0.0.1:PORT/#token=…)`);
      return;
    }
    startApp({ root, config, session, storage: sessionStorage });
    return;
  }
  try {
    const session = await cognitoSession(config, env);
    if (session === undefined) {
      await beginCognitoSignIn(config, env);
      return;
    }
    startApp({ root, config, session, storage: sessionStorage });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

void main();
