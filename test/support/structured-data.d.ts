// Types for the two JSON-LD test tools (they ship none): @marbec/web-auto-extractor finds
// the structured data in an HTML page, @adobe/structured-data-validator checks it against
// Google's rich-result rules and the schema.org vocabulary.
declare module '@marbec/web-auto-extractor' {
  export default class WebAutoExtractor {
    constructor(options?: { addLocation?: boolean; embedSource?: string[] });
    parse(html: string): { jsonld: Record<string, Record<string, unknown>[]>; microdata: Record<string, unknown>; rdfa: Record<string, unknown>; errors: unknown[] };
  }
}

declare module '@adobe/structured-data-validator' {
  export interface Issue {
    rootType: string;
    issueMessage: string;
    severity: 'ERROR' | 'WARNING';
    fieldNames?: string[];
    errorType?: string;
  }
  export default class Validator {
    constructor(schemaOrgJson?: unknown);
    validate(extracted: unknown): Promise<Issue[]>;
  }
}
