/** The widget language, picked once from the browser: German for any de-* locale, English otherwise. */
import { de } from './de.ts';
import { en, type Strings } from './en.ts';

export type { Strings };

export function pickStrings(languages: readonly string[]): Strings {
  for (const tag of languages) {
    const lang = tag.toLowerCase().split('-')[0];
    if (lang === 'de') return de;
    if (lang === 'en') return en;
  }
  return en;
}

/** The strings every component uses (one widget per page, one language per visitor). */
export const t: Strings = pickStrings(
  typeof navigator === 'undefined'
    ? []
    : navigator.languages?.length
      ? navigator.languages
      : [navigator.language],
);
