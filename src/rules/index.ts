export { loadRules, loadRuleFile, parseYamlWithLines, type LoadedRule, type RuleSet, type Term, type Vocabulary } from './load.js';
export { loadRulesCached, rulesCacheDir, loadRegistryCached, registryCacheDir } from './cache.js';
export { compilePattern, checkRegex, PatternError } from './pattern.js';
export { ALLOWED_LABELS, CUE_LABELS, TAG_LABELS, RULE_KINDS, SCOPES, ruleFileSchema, type RuleDef, type RuleExample } from './schema.js';
export { loadRegistry, type Partnership, type Registry } from './registry.js';
export { compileRules, scan, toHit, type ActiveRule, type CompiledRules, type Hit, type RuleHit, type Scan } from './compile.js';
