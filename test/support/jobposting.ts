// Independent checks of JobPosting structured data (issue 20 item 4): the HTML page is parsed
// by @marbec/web-auto-extractor, and what it finds is validated by
// @adobe/structured-data-validator against Google's JobPosting rules (required and
// recommended properties) and the schema.org vocabulary (release 30.0, the official
// schemaorg-current-https.jsonld, stored gzipped in test/fixtures/schemaorg/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import WebAutoExtractor from '@marbec/web-auto-extractor';
import Validator, { type Issue } from '@adobe/structured-data-validator';
import { packageRoot } from '../../server/core/paths.js';

let vocabulary: unknown = null;
function schemaOrg(): unknown {
  vocabulary ??= JSON.parse(gunzipSync(readFileSync(join(packageRoot(), 'test', 'fixtures', 'schemaorg', 'schemaorg-current-https-30.0.jsonld.gz'))).toString('utf8'));
  return vocabulary;
}

export interface Extracted {
  jsonld: Record<string, Record<string, unknown>[]>;
}

export function extractStructuredData(html: string): Extracted {
  return new WebAutoExtractor({ addLocation: true, embedSource: ['rdfa', 'microdata'] }).parse(html);
}

/** Every issue (errors and warnings: missing recommended fields, properties schema.org lacks) of the page's structured data. */
export async function validateStructuredData(html: string): Promise<{ extracted: Extracted; issues: Issue[] }> {
  const extracted = extractStructuredData(html);
  const issues = await new Validator(schemaOrg()).validate(extracted);
  return { extracted, issues };
}
