import { createRequire } from 'node:module';
import type nlpType from 'compromise';
import type * as cheerioType from 'cheerio';
import type * as undiciType from 'undici';
import type DatabaseType from 'better-sqlite3';

/**
 * Libraries that take a noticeable part of a second to load, loaded the first
 * time they are needed: most commands, and most runs, never call some of them
 * (compromise only when rules are compiled or a bullet's opening word is
 * unknown; cheerio only for HTML; undici only to fetch; SQLite only to review).
 */
const require = createRequire(import.meta.url);
function lazy<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}

export const compromise = lazy<typeof nlpType>('compromise');
export const cheerio = lazy<typeof cheerioType>('cheerio');
export const undici = lazy<typeof undiciType>('undici');
export const sqlite = lazy<typeof DatabaseType>('better-sqlite3');
