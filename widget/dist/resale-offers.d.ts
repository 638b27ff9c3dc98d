// Types of @resale-graph/widget (docs/embedding.md).

/** Every string the widget shows; condition and status labels keyed by their enum values. */
export interface ResaleMessages {
  heading: string;
  loading: string;
  loadingMore: string;
  /** "1 offer shown" */
  one: string;
  /** "{n} offers shown" */
  shown: string;
  empty: string;
  more: string;
  retry: string;
  unavailable: string;
  unreachable: string;
  setup: string;
  NEW_WITH_TAGS: string;
  LIKE_NEW: string;
  GOOD: string;
  FAIR: string;
  ACTIVE: string;
  RESERVED: string;
  SOLD: string;
  WITHDRAWN: string;
  /** Shop mode: the sort control's label and its three orders. */
  sort: string;
  NEWEST: string;
  PRICE_ASC: string;
  PRICE_DESC: string;
  /** Shop mode: the filter form's accessible name, the condition and price filters. */
  filters: string;
  condition: string;
  price: string;
  /** The price range's lower and upper bound. */
  from: string;
  to: string;
  /** Shop mode: nothing matches the filters. */
  none: string;
}

/** Built in: English, German, French. */
export declare const MESSAGES: { en: ResaleMessages; de: ResaleMessages; fr: ResaleMessages };

/** One offer as the events report it. */
export interface ResaleOffer {
  /** The element's product-id ("" in shop mode). */
  productId: string;
  listingId: string;
  /** Exact decimal amount, e.g. "139.00". */
  price: string;
  /** ISO 4217, e.g. "EUR". */
  currency: string;
  /** 1-based position in the list. */
  position: number;
}

export interface ResaleReadyDetail {
  productId: string;
  /** Offers shown in all. */
  count: number;
  /** The offers this page of results added. */
  offers: Omit<ResaleOffer, "productId">[];
}

export interface ResaleErrorDetail {
  productId: string;
  /** The GraphQL `extensions.code`, or NETWORK, SETUP, NO_DATA. */
  code: string;
  message: string;
}

export interface ResaleClickDetail extends ResaleOffer {
  url: string;
}

export interface ResaleOffersEventMap {
  "resale:ready": CustomEvent<ResaleReadyDetail>;
  "resale:error": CustomEvent<ResaleErrorDetail>;
  "resale:impression": CustomEvent<ResaleOffer>;
  "resale:click": CustomEvent<ResaleClickDetail>;
}

/**
 * Attributes: mode ("shop": the brand's listings with sort, filters and facet counts),
 * product-id (required unless mode="shop"), api-key, endpoint, locale, page-size, heading,
 * listing-url, live, messages. In shop mode `messages` may also label a custom field's
 * filter or a facet value by its name (`{"sizeLabel": "Größe"}`).
 */
export declare class ResaleOffers extends HTMLElement {
  static readonly observedAttributes: string[];
  /** The page's own strings, over the built-in table of the page's language. */
  messages: Partial<ResaleMessages> | null;
  /** Render again. */
  refresh(): void;
  addEventListener<K extends keyof ResaleOffersEventMap>(
    type: K,
    listener: (this: ResaleOffers, event: ResaleOffersEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

/** Registers <resale-offers> (and <resale-graph-widget>); importing the module already does. */
export declare function define(): void;

declare global {
  interface HTMLElementTagNameMap {
    "resale-offers": ResaleOffers;
  }
  interface DocumentEventMap extends ResaleOffersEventMap {}
}
