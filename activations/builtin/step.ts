import { fromExpression } from '../expression/index';

export const step = fromExpression({
  name: 'step',
  aliases: ['heaviside', 'binary_step'],
  f: 'x > 0',
  formula: '1 if x > 0, else 0',
  reference: 'McCulloch & Pitts, "A logical calculus of the ideas immanent in nervous activity", 1943',
  convention: "step(0) = 0 (the same mask as relu'); f' = 0 everywhere (the jump at 0 has no useful gradient); step(NaN) = 0, as torch.heaviside",
  range: [-3, 3],
});
