// plotly.js-dist-min ships no types; the pages use a small part of its API.
declare module 'plotly.js-dist-min' {
  const Plotly: {
    newPlot(el: HTMLElement, data: object[], layout?: object, config?: object): Promise<unknown>;
    react(el: HTMLElement, data: object[], layout?: object, config?: object): Promise<unknown>;
    purge(el: HTMLElement): void;
  };
  export default Plotly;
}
