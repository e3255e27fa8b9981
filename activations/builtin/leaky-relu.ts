import { fromExpression } from '../expression/index';

export const leakyRelu = fromExpression({
  name: 'leaky_relu',
  aliases: ['LeakyReLU'],
  f: 'where(x > 0, x, negative_slope * x)',
  formula: 'x if x > 0, else negative_slope · x',
  reference: 'Maas, Hannun & Ng, "Rectifier Nonlinearities Improve Neural Network Acoustic Models", 2013',
  convention: "leaky_relu'(0) = negative_slope, as PyTorch (x > 0 ? 1 : slope); leaky_relu'(NaN) = slope",
  range: [-4, 4],
  params: [{ name: 'negative_slope', default: 0.01, description: 'slope for x ≤ 0 (PyTorch default 0.01)' }],
});
