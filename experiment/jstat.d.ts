// jstat ships no type declarations; these cover the part that experiment/ uses.
declare module 'jstat' {
  interface StudentT {
    /** P(T <= x) for Student's t distribution with `dof` degrees of freedom. */
    cdf(x: number, dof: number): number;
    /** The p-quantile of Student's t distribution with `dof` degrees of freedom. */
    inv(p: number, dof: number): number;
  }
  const jStat: {
    studentt: StudentT;
    /**
     * Quantiles of `values` at the probabilities `ps`, by Hyndman and Fan's family with
     * plotting positions (alphap, betap); (1, 1) is their type 7, numpy's and pandas' default.
     */
    quantiles(values: ArrayLike<number>, ps: readonly number[], alphap?: number, betap?: number): number[];
    /** Counts of `values` in `bins` equal bins over [min, max] (max in the last bin). */
    histogram(values: ArrayLike<number>, bins: number): number[];
  };
  export = jStat;
}
