// kicks' custom fields, typed from its schema (size is a Decimal: a string).
import type { KicksCustomFieldsQuery } from "./gql/graphql";

type Custom = KicksCustomFieldsQuery["productListings"]["edges"][number]["node"]["custom"];

export function describe(custom: Custom): string {
  const size: string | null | undefined = custom.size;
  const grade: "PENDING" | "UNVERIFIED" | "VERIFIED" = custom.authenticityGrade;
  const released: Date | null = custom.releaseDate ? new Date(custom.releaseDate) : null;
  return `US ${size ?? "?"}, ${grade}, ${custom.boxIncluded ? "boxed" : "no box"}, ${released?.getFullYear()}`;
}
