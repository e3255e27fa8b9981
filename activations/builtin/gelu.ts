import type { ActivationSpec } from '../../engine/activation-spec';
import { geluSimd } from '../../engine/backends/wasm/gelu-kernel';
import { normalCdf, normalCdfAndPdf, normalPdf, WGSL_ERF } from './math';

const density = new Float64Array(1);

export const gelu: ActivationSpec = {
  name: 'gelu',
  aliases: ['GELU', 'gelu_erf'],
  formula: 'x·Φ(x) = ½x(1 + erf(x/√2))',
  reference: 'Hendrycks & Gimpel, "Gaussian Error Linear Units (GELUs)", 2016',
  convention: 'exact form with erf (PyTorch approximate="none"); Φ is computed as ½·erfc(−x/√2) so the negative tail keeps its relative accuracy',
  handWritten: "stability: Φ(x) = ½·erfc(−x/√2) keeps the negative tail's relative accuracy, where ½(1 + erf(x/√2)) loses its digits there and cancels to 0 below x ≈ −5.5 in float32",
  range: [-4, 4],
  derivativeReadsOutput: false,
  cpu: {
    f: (x) => x * normalCdf(x),
    df: (x) => normalCdf(x) + x * normalPdf(x),
    // The float32 loops' forms: Φ and φ from one exponential (normalCdfAndPdf).
    fastF: (x) => x * normalCdfAndPdf(x, density),
    backward: (x) => {
      const cdf = normalCdfAndPdf(x, density);
      return cdf + x * density[0];
    },
    // Where the engine has WebAssembly SIMD: the same formulas four lanes at a time in
    // float32 (gelu-kernel.ts), ~10× the loops above.
    simd: () => {
      const kernels = geluSimd();
      return (
        kernels && {
          forward: (x, out) => kernels.forward(x, out),
          backward: (x, dy, dx) => kernels.backward(x, dy, dx),
          linear: (z, b, y, rows, n, keepZ) => kernels.linear(z, b, y, rows, n, keepZ),
          backwardWithSums: (x, dy, dx, rows, n, _p, sums) => kernels.backwardWithSums(x, dy, dx, rows, n, sums),
        }
      );
    },
  },
  wgsl: {
    helpers: WGSL_ERF,
    f: 'return x * gs_normal_cdf(x);',
    df: 'return gs_normal_cdf(x) + x * gs_normal_pdf(x);',
  },
};
