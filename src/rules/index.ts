export { loadRules, loadRuleFile, parseYamlWithLines, type LoadedRule, type RuleSet } from './load.js';
export { compilePattern, PatternError } from './pattern.js';
export { Matcher, type Hit } from './matcher.js';
export { ALLOWED_LABELS, RULE_KINDS, ruleFileSchema, type RuleDef } from './schema.js';
export { loadRegistry, type Partnership, type Registry } from './registry.js';
export { compileRules, familyOf, type ActiveRule, type CompiledRules, type Family } from './compile.js';
