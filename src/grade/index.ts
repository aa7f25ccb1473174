export { gradeLayer } from './classify.js';
export { gradeContext, gradeSpan, type GradeContext, type GradeResult } from './cues.js';
