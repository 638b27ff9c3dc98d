// graphql-codegen's client preset for one tenant of Resale Graph.
//
//   curl -s -H "X-Api-Key: $KEY" https://GATEWAY/schema.graphql > schema.graphql
//   SCHEMA=schema.graphql TENANT=kicks npx graphql-codegen --config codegen.ts
//
// The SDL is the one your key sees (GET /schema.graphql): each tenant has its own
// custom fields, and a read key does not see private ones. Operations in operations/
// are the README's, those in operations/<tenant>/ use that tenant's custom fields.
import type { CodegenConfig } from "@graphql-codegen/cli";

const tenant = process.env.TENANT ?? "kicks";

const config: CodegenConfig = {
  schema: process.env.SCHEMA ?? "schema.graphql",
  documents: ["operations/*.graphql", `operations/${tenant}/*.graphql`],
  ignoreNoDocuments: false,
  generates: {
    [process.env.OUT ?? "src/gql/"]: {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // Every custom scalar must be mapped: an unmapped one fails generation
        // instead of quietly becoming `any`.
        strictScalars: true,
        scalars: {
          // Exact decimal as a string ("129.90"): never a float.
          Decimal: "string",
          // ISO 8601 with offset, UTC on output ("2026-03-01T00:00:00+00:00").
          DateTime: "string",
          // Foreign platform data: inspect before use.
          JSON: "unknown",
        },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
