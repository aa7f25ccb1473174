// accords installs natural without its storage drivers (MongoDB, PostgreSQL, Redis,
// memcached) and without the WordNet database: package.json's "overrides" point them here.
// accords loads only natural's Porter stemmer, which requires none of them.
throw new Error(
  "accords installs natural without its storage drivers and WordNet: load natural's modules directly " +
    "(for example natural/lib/natural/stemmers/porter_stemmer.js), not its entry point.",
);
