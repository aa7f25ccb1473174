import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isIP } from 'node:net';
import { z } from 'zod';
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { loadSources, fetchAll } from './fetch/index.js';
import { writeFileAtomic } from './core/fsutil.js';
import { printable, printableLines } from './core/printable.js';
import { realDate } from './extract/meta.js';
import type { Scope } from './aggregate/index.js';
import { UserError } from './core/errors.js';
import { isDomain, DOMAINS } from './core/taxonomy.js';
import { loadConfig, type LoadedConfig } from './config/index.js';
import { loadRulesCached, rulesCacheDir, compileRules, type CompiledRules } from './rules/index.js';
import { classifyRaw } from './classify.js';
import { listCorpus, runPipeline } from './pipeline.js';
import { extractFile } from './extract/index.js';
import { segment } from './segment/index.js';
import { loadGold, formatReport } from './eval/index.js';
import { loadLocalGold, placedPassages } from './eval/local.js';
import { evalLocal, evalShared, formatComparison, logregVsMajority, summaryLine } from './eval/run.js';
import { formatTotals, newest, readFirstSight, totals } from './eval/firstsight.js';
import { formatRuleFigures, ruleFigures } from './eval/rulestats.js';
import { gapPhrases, missedPhrases, noisyRules, type UntaggedPassage } from './eval/gaps.js';
import { FLOORS, firstSightChecks, formatChecks, labelChecks, sharedChecks, type FloorCheck } from './eval/floors.js';
import { explain } from './explain.js';
import { openReviews, exportGold, exportLabels, importGold, reviewStats, checkReviewStore, damagedStoreHint } from './review/index.js';
import { startReviewServer } from './web/index.js';

interface CommandSpec {
  usage: string;
  about: string;
  /** Options of this command besides --config, --rules and --help. */
  options: Record<string, { type: 'string' | 'boolean'; short?: string; help: string }>;
  details?: string;
}

const COMMON = {
  config: { type: 'string', help: 'FILE  the configuration (default pipeline.config.ts)' },
  rules: { type: 'string', help: 'DIR   the rule folder (default from the configuration)' },
  help: { type: 'boolean', short: 'h', help: '      this text' },
} as const;

const COMMANDS: Record<string, CommandSpec> = {
  run: {
    usage: 'accords run [--corpus DIR] [--out DIR] [--domain D] [--from DATE] [--until DATE] [--fetch] [--sources FILE] [--full] [--quiet] [--db FILE]',
    about: "read every statement in the corpus, tag it, and write profiles, the objectives matrix, the study's measures and the HTML report (out/report/index.html) to out/",
    options: {
      corpus: { type: 'string', help: 'DIR   the folder of statements (default from the configuration)' },
      out: { type: 'string', help: 'DIR   the output folder, replaced as a whole at the end of the run' },
      domain: { type: 'string', help: 'D     scope the matrix and measures to one domain (citation codes stay the same)' },
      from: { type: 'string', help: 'DATE  only statements dated on or after DATE (YYYY-MM-DD)' },
      until: { type: 'string', help: 'DATE  only statements dated on or before DATE (YYYY-MM-DD)' },
      fetch: { type: 'boolean', help: '      fetch new statements first (see accords fetch --help)' },
      sources: { type: 'string', help: 'FILE  with --fetch: the list of documents and feeds' },
      full: { type: 'boolean', help: '      re-process documents that did not change' },
      db: { type: 'string', help: 'FILE  the review database whose decisions override automatic tags' },
      quiet: { type: 'boolean', short: 'q', help: '      print only the summary' },
    },
    details: 'Exit codes: 0 all went well, 1 some documents failed or reviews could not be applied (the rest was written), 2 nothing was run (a usage or configuration error, or out/ in use by another run).',
  },
  fetch: {
    usage: 'accords fetch [--sources FILE] [--corpus DIR] [--quiet]',
    about: 'get every listed document and every new feed item into the corpus (under fetched/)',
    options: {
      sources: { type: 'string', help: 'FILE  documents and feeds to fetch (default corpus/sources.yaml)' },
      corpus: { type: 'string', help: 'DIR   the corpus folder; statements go to DIR/fetched/' },
      quiet: { type: 'boolean', short: 'q', help: '      print only the summary' },
    },
    details:
      'Loopback, private and link-local addresses are refused, after redirects and name resolution, unless fetch.allowPrivateAddresses is true in the configuration. A feed item whose fetch fails is tried again on the next runs (up to 5) until it succeeds or is given up on; the reasons are kept in .accords/cache/http/feeds.json.',
  },
  review: {
    usage: 'accords review [--port N] [--db FILE] [--host ADDR] [--reviewer NAME] [--corpus DIR]',
    about: 'serve the review page (http://127.0.0.1:PORT); decisions go to the review database',
    options: {
      port: { type: 'string', help: 'N     the port (default 4173; 0 picks a free one)' },
      db: { type: 'string', help: 'FILE  the review database (default from review.db)' },
      host: { type: 'string', help: 'ADDR  listen on this address instead of 127.0.0.1 (then every request needs the token)' },
      reviewer: { type: 'string', help: 'NAME  who is reviewing (default $USER)' },
      corpus: { type: 'string', help: 'DIR   the folder of statements' },
    },
  },
  reviews: {
    usage: 'accords reviews export [--out FILE] [--labels DIR [--corpus DIR]] | import FILE | stats [--db FILE]',
    about: "decisions as gold JSONL (usable by accords eval --gold FILE), or with --labels as label files of test/gold (file name and offsets; scripts/label.ts admit takes them); read them back; or stats: tagger vs reviewers, agreement between reviewers (Krippendorff's alpha), per-rule precision and the rules analysts reject most with a proposed exception",
    options: {
      out: { type: 'string', help: 'FILE  with export: write to FILE instead of standard output' },
      labels: { type: 'string', help: 'DIR   with export: write label files of test/gold to DIR' },
      corpus: { type: 'string', help: 'DIR   with export --labels: the folder of statements' },
      db: { type: 'string', help: 'FILE  the review database (default from review.db)' },
    },
  },
  tag: {
    usage: 'accords tag [FILE]',
    about: 'read JSONL {"id","text","heading"?|"headings"?,"title"?,"lead_in"?,"kind"?} (standard input without FILE), write one JSONL line of tags per input line, with every tag considered and why',
    options: {},
    details: 'Messages go to standard error; a bad line is skipped with a message naming it, and the exit code is 1.',
  },
  eval: {
    usage: 'accords eval [--gold DIR|FILE] [--labels DIR] [--folds K] [--rules] [--verbose]',
    about: "score the tagger: first the first-sight log (statements scored before any rule was changed for them), then the analyst labels (../shared/gold) and the project's labels (test/gold), side by side with a keyword dictionary, a TF-IDF logistic regression and the majority label; exits 1 while a floor is not met",
    options: {
      gold: { type: 'string', help: 'DIR|FILE  analyst labels, or one JSONL file (an export of review decisions)' },
      labels: { type: 'string', help: "DIR       the project's own labels (default test/gold)" },
      folds: { type: 'string', help: 'K         cross-validation folds (default 5, at least 2)' },
      verbose: { type: 'boolean', short: 'v', help: '          list misses and false alarms with the rules that fired' },
    },
    details: '--rules with no folder after it adds per-rule figures over the project\'s labels.',
  },
  rules: {
    usage: 'accords rules gaps [--corpus DIR] [--labels DIR] [--top N]',
    about: 'where the vocabularies fall short: the commonest phrases in passages with cooperation language but no objective, and the rules the labels most often contradict',
    options: {
      corpus: { type: 'string', help: 'DIR   the folder of statements' },
      labels: { type: 'string', help: "DIR   the project's own labels (default test/gold)" },
      top: { type: 'string', help: 'N     how many phrases to list (default 40)' },
    },
  },
  explain: {
    usage: 'accords explain "<text>" [--heading H] | --file FILE --at OFFSET',
    about: 'show each tag with its rule, the words it matched and how the grade was decided; with --file, for the passage of FILE at character OFFSET, read with its headings',
    options: {
      heading: { type: 'string', help: 'H       the heading the text sits under' },
      file: { type: 'string', help: 'FILE    a statement' },
      at: { type: 'string', help: 'OFFSET  a character offset into FILE' },
    },
  },
};

function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  const opts = { ...c.options, ...COMMON };
  const lines = [`Usage: ${c.usage}`, '', wrap(c.about, 2), '', 'Options:'];
  for (const [k, o] of Object.entries(opts)) {
    // "DIR   the folder..." -> "--corpus DIR" and "the folder..."
    const m = /^\s*([A-Z][A-Z|]*)\s+(.*)$/.exec(o.help);
    const name = `${'short' in o && o.short ? `-${o.short}, ` : ''}--${k}${m ? ` ${m[1]}` : ''}`;
    lines.push(`  ${name.padEnd(22)}${(m ? m[2]! : o.help).trim()}`);
  }
  if (c.details) lines.push('', ...c.details.split('\n').map((l) => wrap(l, 0)));
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, indent: number, width = 100): string {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + w.length + 1 > width - indent) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

const HELP = `accords - what technology partnerships actually agreed

Usage:
${Object.entries(COMMANDS)
  .map(([, c]) => `  ${c.usage}\n${wrap(c.about, 6)}`)
  .join('\n')}

Options for every command:
  --config FILE   the configuration (default pipeline.config.ts)
  --rules DIR     the rule folder (default from the configuration)
  -h, --help      this text; accords COMMAND --help (or accords help COMMAND) for one command's options
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

async function rulesFor(config: LoadedConfig, dir?: string): Promise<CompiledRules> {
  return compileRules(await loadRulesCached(resolve(config.root, dir ?? config.rules), rulesCacheDir(config)));
}

/** A string flag checked by `problem`, which returns what is wrong with the value (or nothing). */
const flag = (problem: (v: string) => string | undefined) =>
  z
    .string()
    .superRefine((v, ctx) => {
      const why = problem(v);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    })
    .optional();

const flagDate = (name: string) =>
  flag((v) => (!/^\d{4}-\d{2}-\d{2}$/.test(v) ? `--${name} must be a date written YYYY-MM-DD, got "${v}"` : realDate(v) === undefined ? `--${name} must be a real date, and ${v} is not one` : undefined));

const whole = (name: string, min: number, max: number, what: string) =>
  flag((v) => (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `--${name} must be ${what}, got "${v}"`)).transform((v) => (v === undefined ? undefined : Number(v)));

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Values of flags are checked as they enter: real dates in order, whole numbers in range, known names. */
const FLAGS = z
  .object({
    from: flagDate('from'),
    until: flagDate('until'),
    domain: flag((v) => (isDomain(v) ? undefined : `--domain "${v}" is not a domain (allowed: ${DOMAINS.join(', ')})`)),
    port: whole('port', 0, 65535, 'a port number (0 to 65535)'),
    folds: whole('folds', 2, 1000, 'a whole number of at least 2'),
    top: whole('top', 1, 100_000, 'a whole number of at least 1'),
    at: whole('at', 0, Number.MAX_SAFE_INTEGER, 'a character offset (0 or more)'),
    host: flag((v) => (isIP(v.replace(/^\[|\]$/g, '')) > 0 || HOST_NAME.test(v) ? undefined : `--host must be an address or a host name, got "${v}"`)),
  })
  .passthrough();

function checkFlags<T extends Record<string, unknown>>(values: T): Omit<T, 'port' | 'folds' | 'top' | 'at'> & { port?: number; folds?: number; top?: number; at?: number } {
  const r = FLAGS.safeParse(values);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new UserError(first.message, undefined, undefined, first.path[0] === 'domain' ? undefined : 'see accords COMMAND --help');
  }
  return r.data as Omit<T, 'port' | 'folds' | 'top' | 'at'> & { port?: number; folds?: number; top?: number; at?: number };
}

/** The matrix scope from the flags over the configuration: real dates, and a range in order. */
function scopeFrom(values: { domain?: string; from?: string; until?: string }, config: LoadedConfig): Scope {
  const scope: Scope = {
    domain: (values.domain as Scope['domain']) ?? config.matrix.domain,
    from: values.from ?? config.matrix.from,
    until: values.until ?? config.matrix.until,
  };
  if (scope.from && scope.until && scope.from > scope.until) {
    throw new UserError(`the date range is backwards: from ${scope.from} until ${scope.until}`, undefined, undefined, '--from must not be after --until (either may come from matrix.from / matrix.until in the configuration)');
  }
  return scope;
}

/** A progress bar on a terminal; plain lines otherwise (logs, CI, pipes). */
function progressReporter(io: Io): (done: number, total: number, line: string) => void {
  if (!process.stderr.isTTY || io !== defaultIo) return (done, total, line) => io.err(`[${done}/${total}] ${line}\n`);
  return (done, total, line) => {
    const width = 28;
    const filled = Math.round((done / total) * width);
    const label = line.length > 60 ? `${line.slice(0, 57)}...` : line;
    process.stderr.write(`\r\x1b[K[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${label}`);
    if (done === total) process.stderr.write('\n');
  };
}

async function doFetch(config: LoadedConfig, sourcesFile: string | undefined, corpusDir: string | undefined, log: (l: string) => void): Promise<{ text: string; failed: number; report: unknown }> {
  const file = resolve(sourcesFile ?? resolve(config.root, config.sources));
  const sources = await loadSources(file);
  const corpus = resolve(corpusDir ?? resolve(config.root, config.corpus));
  const report = await fetchAll(sources, { corpus, cacheDir: resolve(config.root, config.cacheDir, 'http'), http: config.fetch, log });
  const count = (st: string) => report.items.filter((i) => i.status === st).length;
  const failed = report.items.filter((i) => i.status === 'failed' || i.status === 'disallowed');
  const retried = failed.filter((i) => i.feed && !i.givenUp).length;
  const lines = [
    `fetch: ${report.items.length} addresses, new ${count('new')}, updated ${count('updated')}, unchanged ${count('unchanged')}, duplicates ${count('duplicate')}, failed ${count('failed')}, disallowed by robots.txt ${count('disallowed')}; ${report.requests} requests (${report.conditional} conditional), ${report.seconds.toFixed(1)} s`,
    ...report.repaired.map((r) => `  repaired: ${printable(r)}`),
    ...failed.map((i) => `  ${printable(i.url)}: ${i.status}: ${printable(i.error ?? '')}${i.givenUp ? ' (given up: not tried again)' : i.feed ? ' (feed item: tried again on the next fetch)' : ''}`),
    ...report.items.flatMap((i) => (i.warnings ?? []).map((w) => `  ${printable(i.url)}: warning: ${printable(w)}`)),
    ...(retried ? [`  ${retried} feed item(s) will be tried again on the next fetch`] : []),
    ...(report.givenUp.length ? [`  ${report.givenUp.length} feed item(s) given up on, with the reasons, in ${printable(join(resolve(config.root, config.cacheDir), 'http', 'feeds.json'))}`] : []),
  ];
  const reportPath = join(resolve(config.root, config.cacheDir), 'fetch-report.json');
  await writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  return { text: lines.join('\n'), failed: failed.length, report };
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    const about = command === 'help' ? rest[0] : undefined;
    if (about && COMMANDS[about]) {
      io.out(commandHelp(about));
      return 0;
    }
    io.out(HELP);
    return command ? 0 : 2;
  }
  if (!COMMANDS[command]) {
    io.err(`accords: unknown command "${printable(command)}"\n\n${HELP}`);
    return 2;
  }
  // `accords eval --rules` (no folder after it) asks for per-rule figures; `--rules DIR`
  // elsewhere names the rule folder.
  let ruleFiguresWanted = false;
  if (command === 'eval') {
    const i = rest.indexOf('--rules');
    if (i >= 0 && (i === rest.length - 1 || rest[i + 1]!.startsWith('-'))) {
      ruleFiguresWanted = true;
      rest.splice(i, 1);
    }
  }
  try {
    const spec = COMMANDS[command]!;
    const options = Object.fromEntries(Object.entries({ ...spec.options, ...COMMON }).map(([k, o]) => [k, { type: o.type, ...('short' in o && o.short ? { short: o.short } : {}) }])) as ParseArgsConfig['options'];
    const parsed = parseArgs({ args: rest, allowPositionals: true, options });
    if ((parsed.values as Record<string, unknown>)['help']) {
      io.out(commandHelp(command));
      return 0;
    }
    const values = checkFlags(parsed.values as Record<string, string | boolean | undefined> as {
      config?: string; rules?: string; corpus?: string; out?: string; gold?: string; labels?: string; folds?: string; top?: string; file?: string; at?: string;
      domain?: string; from?: string; until?: string; heading?: string; sources?: string; fetch?: boolean; full?: boolean; port?: string;
      db?: string; host?: string; reviewer?: string; quiet?: boolean; verbose?: boolean;
    });
    const positionals = parsed.positionals;
    const config = await loadConfig(values.config);
    switch (command) {
      case 'fetch': {
        const r = await doFetch(config, values.sources, values.corpus, values.quiet ? () => {} : (l) => io.err(`${printableLines(l)}\n`));
        io.out(`${r.text}\n`);
        return r.failed ? 1 : 0;
      }
      case 'run': {
        let fetchFailed = 0;
        let fetchReport: unknown;
        if (values.fetch) {
          const r = await doFetch(config, values.sources, values.corpus, values.quiet ? () => {} : (l) => io.err(`${printableLines(l)}\n`));
          io.out(`${r.text}\n`);
          fetchFailed = r.failed;
          fetchReport = r.report;
        }
        const matrix = scopeFrom(values, config);
        // A damaged review store is reported and left untouched; the outputs are made from the automatic tags.
        const dbFile = resolve(config.root, values.db ?? config.review.db);
        const damaged = existsSync(dbFile) ? checkReviewStore(dbFile) : undefined;
        if (damaged) io.err(`accords: ${printable(dbFile)}: the review database is damaged: ${printable(damaged)}\n  reviews are NOT applied to this run's outputs\n  hint: ${printable(damagedStoreHint(dbFile))}\n`);
        const store = existsSync(dbFile) && !damaged ? await openReviews(dbFile) : undefined;
        const summary = await runPipeline(config, {
          ...(store ? { reviews: store } : {}),
          ...(damaged ? { reviewProblem: `${dbFile} is damaged (${damaged})` } : {}),
          ...(values.corpus ? { corpus: resolve(values.corpus) } : {}),
          ...(values.out ? { out: resolve(values.out) } : {}),
          ...(values.rules ? { rules: resolve(values.rules) } : {}),
          matrix,
          log: values.quiet ? () => {} : (s) => io.err(`${s}\n`),
          ...(values.full ? { full: true } : {}),
          ...(fetchReport ? { fetchReport } : {}),
          ...(values.quiet ? {} : { progress: progressReporter(io) }),
        });
        store?.close();
        io.out(`${summary.text}\n`);
        return summary.failed > 0 || fetchFailed > 0 || summary.reviewProblem ? 1 : 0;
      }
      case 'tag': {
        const rules = await rulesFor(config, values.rules);
        const file = positionals[0];
        if (file && !existsSync(file)) throw new UserError('input file not found', file, undefined, 'pass a JSONL file, or omit it to read standard input');
        const lines = createInterface({ input: file ? createReadStream(file) : process.stdin, crlfDelay: Infinity });
        let n = 0;
        let bad = 0;
        for await (const line of lines) {
          n++;
          if (!line.trim()) continue;
          let rec: { id?: unknown; text?: unknown; heading?: unknown; headings?: unknown; title?: unknown; lead_in?: unknown; kind?: unknown };
          try {
            rec = JSON.parse(line) as typeof rec;
          } catch {
            bad++;
            io.err(`${file ?? 'stdin'}:${n}: not valid JSON; line skipped\n`);
            continue;
          }
          if (typeof rec.text !== 'string') {
            bad++;
            io.err(`${file ?? 'stdin'}:${n}: no "text" string; line skipped\n`);
            continue;
          }
          // Context, so a passage scored alone is read as the pipeline reads it: its
          // headings (outermost first), the document's title, the sentence introducing its list.
          const headings = Array.isArray(rec.headings) ? rec.headings.filter((h): h is string => typeof h === 'string' && !!h) : typeof rec.heading === 'string' && rec.heading ? [rec.heading] : [];
          const leadIn = typeof rec.lead_in === 'string' && rec.lead_in.trim() ? rec.lead_in : undefined;
          const kind = rec.kind === 'item' || rec.kind === 'sentence' ? rec.kind : leadIn ? 'item' : undefined;
          if (rec.kind !== undefined && rec.kind !== 'item' && rec.kind !== 'sentence') io.err(`${file ?? 'stdin'}:${n}: "kind" must be "item" or "sentence"; read as ${kind ?? 'unknown'}\n`);
          const tags = classifyRaw(
            {
              text: rec.text,
              headings,
              ...(typeof rec.title === 'string' ? { title: rec.title } : {}),
              ...(leadIn ? { listIntro: leadIn } : {}),
              ...(kind ? { kind } : {}),
            },
            rules,
          );
          io.out(
            `${JSON.stringify({
              id: rec.id ?? null,
              objectives: tags.objectives.map((o) => o.objective),
              subcategories: tags.objectives.flatMap((o) => o.subcategories),
              grades: Object.fromEntries(tags.objectives.map((o) => [o.objective, o.grade])),
              domains: tags.domains,
              governance: tags.governance,
              governance_grade: tags.governanceGrade ?? null,
              concreteness: tags.concreteness,
              evidence: tags.evidence.map((e) => ({ rule: e.ruleId, label: e.label, match: e.match, start: e.start, end: e.end, scope: e.scope })),
              candidates: (tags.candidates ?? []).map((c) => ({ rule: c.ruleId, label: c.label, match: c.match, kept: c.kept, reason: c.reason })),
            })}\n`,
          );
        }
        return bad ? 1 : 0;
      }
      case 'eval': {
        const rules = await rulesFor(config, values.rules);
        const folds = values.folds ?? 5;
        // --gold may also name one JSONL file (an export of review decisions).
        const goldPath = resolve(values.gold ?? resolve(config.root, config.gold));
        const labelsDir = resolve(values.labels ?? resolve(config.root, config.localGold));
        const onlyLabels = values.labels !== undefined && values.gold === undefined;
        const sections: string[] = [];
        const summary: string[] = [];
        const checks: FloorCheck[] = [];
        const cv = `logreg and majority: ${folds}-fold cross-validation by statement over these labels`;
        // The headline: how the tagger did on statements before any rule was changed for them.
        const log = await readFirstSight(join(labelsDir, 'first-sight.jsonl'));
        if (values.gold === undefined && log.length) {
          const recent = newest(log, FLOORS.firstSight.minPassages);
          const t = totals(recent);
          sections.push(
            `== First sight (${join(labelsDir, 'first-sight.jsonl')}): each statement scored before any rule was changed for it\n`,
            formatTotals('newest batches', t),
            formatTotals('all first-sight entries', totals(log)),
            ...[...new Set(log.map((e) => e.batch))].map((b) => formatTotals(`  batch ${b}`, totals(log.filter((e) => e.batch === b))).split('\n').slice(0, 2).join('\n')),
            '',
          );
          checks.push(...firstSightChecks(t));
        }
        if (!onlyLabels) {
          const gold = await loadGold(goldPath);
          const s = evalShared(gold, rules, folds);
          sections.push(`== Shared gold: ${goldPath}\n`, formatReport(s.quotes?.accords, s.docs?.accords, !!values.verbose, false), formatComparison(`Side by side on the same passages (${cv})`, s), logregVsMajority(s), '');
          if (values.gold === undefined) checks.push(...sharedChecks(s));
          summary.push(summaryLine('shared', s));
        }
        if (values.gold === undefined) {
          if (existsSync(labelsDir)) {
            const local = await loadLocalGold(labelsDir, resolve(config.root, config.sharedCorpus));
            sections.push(...local.problems.map((p) => `  SKIPPED ${p}`));
            // Each sub-folder is its own set, and all of them together are one more.
            const sets = local.sets.length > 1 ? [...local.sets, '*'] : local.sets;
            for (const set of sets) {
              const labels = set === '*' ? local.labels : local.labels.filter((l) => l.set === set);
              const s = evalLocal({ ...local, labels }, rules, folds);
              const where = set === '*' ? `${labelsDir} (all sets)` : set ? join(labelsDir, set) : labelsDir;
              sections.push(
                `== Project labels: ${where} (${labels.length} passages of ${new Set(labels.map((l) => l.gold.doc)).size} statements)\n`,
                formatReport(undefined, s.docs?.accords, !!values.verbose, false),
                formatComparison(`Side by side on the same passages (${cv})`, s),
                logregVsMajority(s),
                '',
              );
              const name = `labels${set === '*' ? '' : set ? `/${set}` : ''}`;
              if (set === '*' || sets.length === 1) checks.push(...labelChecks(name, s));
              else checks.push(labelChecks(name, s).at(-1)!);
              summary.push(summaryLine(name, s));
            }
          } else if (onlyLabels) throw new UserError('folder of labels not found', labelsDir);
        }
        if (ruleFiguresWanted && existsSync(labelsDir)) {
          const local = await loadLocalGold(labelsDir, resolve(config.root, config.sharedCorpus));
          sections.push(`== Per rule, over the project's labels (${local.labels.length} passages): tags kept, how many the labels confirm (P), share of the objective's labelled passages found (R), and tags dropped where the label has the objective anyway\n`, formatRuleFigures(ruleFigures(local.labels, rules)), '');
        }
        if (checks.length) sections.push('== Floors (goals; see src/eval/floors.ts)\n', formatChecks(checks), '');
        io.out(`${sections.join('\n')}\n${summary.join('\n')}\n`);
        const failed = checks.filter((c) => !c.ok);
        if (failed.length) {
          io.err(`accords: ${failed.length} floor(s) not met: ${failed.map((c) => c.name).join('; ')}\n`);
          return 1;
        }
        return 0;
      }
      case 'review': {
        const dbFile = resolve(config.root, values.db ?? config.review.db);
        const store = await openReviews(dbFile);
        const port = values.port ?? 4173;
        io.err('reading the corpus...\n');
        const summary = await runPipeline(config, { ...(values.corpus ? { corpus: resolve(values.corpus) } : {}), log: () => {}, reviews: store, needDocs: true });
        const server = await startReviewServer({ docs: summary.docs, store, port, keys: config.review.keys, ...(values.host ? { host: values.host } : {}), reviewer: values.reviewer ?? process.env['USER'] ?? '' });
        io.err(`${summary.documents} documents, ${summary.passages} passages; decisions are saved in ${dbFile}\n`);
        io.out(`review page: ${server.url}\n(press Ctrl-C to stop; run accords run afterwards to bring the decisions into out/)\n`);
        await new Promise<void>((r) => {
          process.once('SIGINT', r);
          process.once('SIGTERM', r);
        });
        await server.close();
        store.close();
        return 0;
      }
      case 'reviews': {
        const sub = positionals[0];
        const store = await openReviews(resolve(config.root, values.db ?? config.review.db));
        try {
          if (sub === 'export' && values.labels) {
            // Label files need each passage's place in its statement: read the corpus (cached documents make this quick).
            const corpus = resolve(values.corpus ?? resolve(config.root, config.corpus));
            const summary = await runPipeline(config, { corpus, log: () => {}, needDocs: true, out: resolve(config.root, config.cacheDir, 'export-out') });
            const { files, problems } = await exportLabels(summary.docs, store, corpus);
            const dir = resolve(values.labels);
            let n = 0;
            for (const [name, lines] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
              await writeFileAtomic(join(dir, name), `${lines.join('\n')}\n`);
              n += lines.length;
            }
            for (const p of problems) io.err(`${p}\n`);
            io.err(`wrote ${n} label${n === 1 ? '' : 's'} of ${files.size} statement${files.size === 1 ? '' : 's'} to ${values.labels} (score them at first sight with: node --import tsx scripts/label.ts admit --batch NAME ${join(values.labels, '*.jsonl')})\n`);
            return problems.length ? 1 : 0;
          }
          if (sub === 'export') {
            const text = exportGold(store);
            if (values.out) await writeFileAtomic(resolve(values.out), text);
            else io.out(text);
            if (values.out) io.err(`wrote ${text ? text.trimEnd().split('\n').length : 0} decisions to ${values.out}\n`);
            return 0;
          }
          if (sub === 'import') {
            if (!positionals[1]) throw new UserError('accords reviews import needs a file', undefined, undefined, 'accords reviews import decisions.jsonl');
            const r = await importGold(store, resolve(positionals[1]));
            io.out(`imported ${r.added} decisions, skipped ${r.skipped} already present\n`);
            return 0;
          }
          if (sub === 'stats') {
            io.out(`${reviewStats(store)}\n`);
            return 0;
          }
          throw new UserError(`unknown reviews command "${sub ?? ''}"`, undefined, undefined, 'use export, import or stats');
        } finally {
          store.close();
        }
      }
      case 'rules': {
        const sub = positionals[0];
        if (sub !== 'gaps') throw new UserError(`unknown rules command "${sub ?? ''}"`, undefined, undefined, 'accords rules gaps [--corpus DIR] [--labels DIR] [--top N]');
        const rules = await rulesFor(config, values.rules);
        const top = values.top ?? 40;
        const corpus = resolve(values.corpus ?? resolve(config.root, config.corpus));
        const files = await listCorpus(corpus);
        const items: UntaggedPassage[] = [];
        for (const f of files) {
          const ex = await extractFile(f, config.limits).catch(() => undefined);
          if (!ex) continue;
          for (const passage of segment(ex)) items.push({ doc: f, passage, title: ex.meta.title });
        }
        const g = gapPhrases(items, rules, top);
        io.out(`== Phrases in passages with cooperation or commitment language but no objective (${g.untagged} of ${g.considered} passages of ${files.length} statements in ${corpus}), ranked by frequency weighed by how much more often they occur there than in all passages, words a rule already reads left out\n`);
        io.out(`${'passages'.padStart(9)} ${'statements'.padStart(11)} ${'lift'.padStart(6)}  phrase\n`);
        for (const p of g.phrases) io.out(`${String(p.passages).padStart(9)} ${String(p.statements).padStart(11)} ${p.lift.toFixed(1).padStart(6)}  ${p.phrase}\n`);
        const labelsDir = resolve(values.labels ?? resolve(config.root, config.localGold));
        if (existsSync(labelsDir) && existsSync(resolve(config.root, config.sharedCorpus))) {
          const local = await loadLocalGold(labelsDir, resolve(config.root, config.sharedCorpus));
          io.out(`\n== Phrases of labelled passages the tagger missed, per objective (missed passages; share of all labelled passages with the phrase that have the objective)\n`);
          const missed = missedPhrases(local.labels, rules, Math.min(top, 25));
          for (const [o, rows] of Object.entries(missed)) io.out(`${o}: ${rows.map((r) => `${r.phrase} ${r.missed} (${r.share.toFixed(2)})`).join(' | ') || 'none'}\n`);
          io.out(`\n== Rules whose tags the labels (${labelsDir}, ${local.labels.length} passages) most often contradict\n`);
          for (const r of noisyRules(local.labels, rules, Math.min(top, 20))) {
            io.out(`${r.rule} (${r.label}): ${r.falseAlarms} of ${r.kept} tags contradicted\n`);
            for (const e of r.examples) io.out(`    ${e}\n`);
          }
        }
        return 0;
      }
      case 'explain': {
        const rules = await rulesFor(config, values.rules);
        if (values.file !== undefined) {
          // A passage of a statement, read with its headings, title and list lead-in.
          const at = values.at ?? 0;
          const file = resolve(values.file);
          if (!existsSync(file)) throw new UserError('file not found', file);
          const { passages } = await placedPassages(file);
          const p = passages.find((x) => x.raw && x.raw.start <= at && at < x.raw.end) ?? passages.find((x) => x.raw && x.raw.start >= at);
          if (!p) throw new UserError(`no passage at or after offset ${at}`, file, undefined, 'offsets count characters of the file as it is on disk');
          io.out(`${values.file} ${p.raw!.start}-${p.raw!.end} (${p.kind}): ${p.text}\n`);
          io.out(`${explain(p.text, { headings: p.headings, title: p.title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules)}\n`);
          return 0;
        }
        const text = positionals.join(' ');
        if (!text.trim()) throw new UserError('nothing to explain', undefined, undefined, 'accords explain "The two sides will launch a joint research programme." or accords explain --file F --at OFFSET');
        io.out(`${explain(text, values.heading, rules)}\n`);
        return 0;
      }
      default:
        io.err(`accords: unknown command "${printable(command)}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UserError) {
      io.err(`accords: ${err.format()}\n`);
      return 2;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`accords: ${printableLines((err as Error).message)}\n(see accords ${command} --help)\n`);
      return 2;
    }
    throw err;
  }
}
