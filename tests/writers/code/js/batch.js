// monthly batch: copies refunds back into the legacy table
const knex = require("knex")(config);

async function refunds(rows) {
  await knex(process.env.ORDERS_TABLE).insert(rows);
}

const url = "https://example.com/orders_legacy"; /* a link, /* not a comment */
