// Public surface of the documents module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { DEFAULT_EXTRACTION_LIMITS, DocumentRefusedError, ExtractionError, candidateMessageFor, preflightDocument, runExtraction, type ExtractResult, type ExtractionLimits } from './extract.js';
export { hiddenCounts, isEmptyHidden, openHiddenParts, sealHiddenParts, type HiddenParts } from './hidden.js';
export { MAX_CV_BYTES, detectMediaType } from './sniff.js';

// Data access other modules need, named one by one (not the whole repository); used by applications, messages, resubmissions, screening, worker processors/cv-parse.
export { countOtherCandidatesWithSha, documentsOfApplication, findDocument, findDocumentBySha, findHiddenEnc, insertDocument, markParseOutcome, markParsed, type DocumentRow } from './repo.js';
export { documentsAwaitingParse } from './pending-work.js';
export { createDocumentParsing, type ApplicationTimelinePort } from './service.js';
