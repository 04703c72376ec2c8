import * as z from 'zod/mini';

// zod probes `new Function` to compile fast parsers; a strict CSP reports that probe as a
// violation even though zod catches it. jitless must be set before any schema is built,
// so every schema module imports `z` from here.
z.config({ jitless: true });

export { z };
