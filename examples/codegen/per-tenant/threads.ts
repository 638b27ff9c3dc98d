// threads' custom fields, typed from its schema (measurements are Decimals: strings).
import type { ThreadsCustomFieldsQuery } from "./gql/graphql";

type Custom = ThreadsCustomFieldsQuery["productListings"]["edges"][number]["node"]["custom"];

export function describe(custom: Custom): string {
  const chest: string | null | undefined = custom.measurements?.chest;
  return `${custom.fabric ?? "?"} ${custom.sizeLabel ?? ""}, chest ${chest ?? "?"} cm`;
}
