/** qs's parser module on its own: the function the package exports as `qs.parse`. */
declare module 'qs/lib/parse' {
  const parse: typeof import('qs').parse;
  export default parse;
}
