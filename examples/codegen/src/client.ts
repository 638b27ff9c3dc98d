// A typed client over fetch: the operation's variables and result types come from the
// generated TypedDocumentNode, so a misspelt field or a wrong variable fails `tsc`.
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";

import { ProductPageDocument } from "./gql/graphql";
import type { CreateListingMutation, HistoryQuery, ProductPageQuery } from "./gql/graphql";

export async function request<R, V>(
  endpoint: string,
  apiKey: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
): Promise<R> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Api-Key": apiKey },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: R; errors?: { message: string }[] };
  if (!body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${response.status}`);
  return body.data;
}

type Listing = ProductPageQuery["productListings"]["edges"][number]["node"];

// Decimal is a string: exact, formatted without going through a float of our own.
export function price(listing: Listing, locale: string): string {
  const amount: string = listing.price.amount;
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: listing.price.currency });
  return format.format(amount as unknown as number);
}

// DateTime is an ISO 8601 string.
type Entry = NonNullable<HistoryQuery["listing"]>["history"]["edges"][number]["node"];
export const changedAt = (entry: Entry): Date => new Date(entry.at);

// userErrors.field is the path as the client names it, e.g. ["custom", "sizeLabel"].
export function problems(result: CreateListingMutation): string[] {
  return result.createListing.userErrors.map((e) => `${e.field.join(".")}: ${e.message}`);
}

export async function firstPage(endpoint: string, key: string): Promise<string[]> {
  const data = await request(endpoint, key, ProductPageDocument, { productId: "prd-001", first: 5 });
  return data.productListings.edges.map((edge) => price(edge.node, "en-US"));
}
