import { fromExpression } from '../expression/index';

export const identity = fromExpression({
  name: 'identity',
  aliases: ['Identity', 'linear'],
  f: 'x',
  reference: 'The linear unit (torch.nn.Identity; Keras "linear")',
  range: [-3, 3],
});
