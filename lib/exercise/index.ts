export { exercise, check, hint, todo, exerciseList, type ExerciseSpec, type ExerciseInfo, type CheckRecord } from './kit';
export { near, between, equals, satisfies, allOf, right, wrong, describeValue, formatNumber, type Rule, type Verdict, type Feedback, type NumberFeedback } from './rules';
export { exerciseRng, seedOf, ExerciseRng } from './rng';
