// Stylesheets are imported for their effect: esbuild bundles them into the viewer's one .css file.
declare module '*.css';
