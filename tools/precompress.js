// Writes a brotli (.br) and a gzip (.gz) copy beside each file given, for the server to
// send to browsers that accept them. BROTLI_QUALITY: 11 for release, lower for debug.
const fs = require("fs");
const zlib = require("zlib");

const quality = Number(process.env.BROTLI_QUALITY || 11);
for (const file of process.argv.slice(2)) {
  const raw = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(raw, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = zlib.gzipSync(raw, { level: 9 });
  fs.writeFileSync(file + ".br", br);
  fs.writeFileSync(file + ".gz", gz);
  console.log(`build-front: ${file} ${raw.length} bytes, brotli ${br.length}, gzip ${gz.length}`);
}
