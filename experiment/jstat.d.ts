// jstat ships no type declarations; these cover the part that experiment/statistics.ts uses.
declare module 'jstat' {
  interface StudentT {
    /** P(T <= x) for Student's t distribution with `dof` degrees of freedom. */
    cdf(x: number, dof: number): number;
    /** The p-quantile of Student's t distribution with `dof` degrees of freedom. */
    inv(p: number, dof: number): number;
  }
  const jStat: { studentt: StudentT };
  export = jStat;
}
