// Parity mappings for the compare methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
import { registerComplete, registerMethods, registerUnsupportedClass, snakeToCamel } from '../registry';

// DADApy runs these on JAX (float32 by default, batches drawn from JAX's own generator): their
// numbers cannot be replayed; ours are tested by their properties (test/compare/dii.test.ts, causal.test.ts).
registerUnsupportedClass(['DiffImbalance', 'CausalGraph', 'BID'], 'needs JAX in DADApy (float32, JAX random batches): not replayed, tested by properties');

registerMethods({
  // DADApy's misspelt name at this commit
  return_information_imbalace: { name: 'returnInformationImbalance' },
  // use_cython picks one of two implementations with the same numbers: dadalab has one and refuses the option
  return_data_overlap: {
    args: (kw) => [Object.fromEntries(Object.entries(kw).filter(([k]) => k !== 'use_cython').map(([k, v]) => [snakeToCamel(k), v]))],
  },
});

registerComplete([
  'return_inf_imb_full_all_coords',
  'return_inf_imb_full_selected_coords',
  'return_inf_imb_two_selected_coords',
  'return_inf_imb_matrix_of_coords',
  'greedy_feature_selection_full',
  'return_information_imbalace',
  'return_data_overlap',
  'return_label_overlap',
  'return_inf_imb_target_all_coords',
  'return_inf_imb_target_selected_coords',
  'greedy_feature_selection_target',
  'return_inf_imb_full_all_dplets',
  'return_inf_imb_target_all_dplets',
  'return_inf_imb_causality',
  'return_inf_imb_causality_input_rank',
]);
