// Parity mappings for the compare methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
import { registerComplete, registerMethods } from '../registry';

registerMethods({
  // DADApy's misspelt name at this commit
  return_information_imbalace: { name: 'returnInformationImbalance' },
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
