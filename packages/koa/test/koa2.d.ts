// Koa 2 is installed under the alias `koa2` to test both majors; it ships no types of its own.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
