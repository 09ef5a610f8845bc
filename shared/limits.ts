/**
 * Every size limit on the wire, in one place: the contract's validators enforce them where payloads enter the
 * trusted side, the web server sizes request bodies from them, and the renderer trims what it sends to them.
 */
export const LIMITS = {
  /** Search text, in characters. */
  queryLength: 1000,
  /** Example photos in one query (find similar from several). */
  examplePhotos: 64,
  /** Uploaded external images in one query. */
  uploadedImages: 16,
  /** Results per page; also the most a query returns in all. */
  resultsPerPage: 1000,
  /** Captions one Describe answer may ask for. */
  captions: 100,
  /** Failures one listing may ask for. */
  failures: 10_000,
  /** A folder path, in characters. */
  pathLength: 4096,
  /** A user label, in characters. */
  labelLength: 200,
  /** A photo note, in characters. */
  noteLength: 10_000,
  /** The camera filter, in characters. */
  cameraLength: 200,
  /** Folder ids in one filter. */
  folderFilters: 1000,
  /** Formats in one filter, and the length of each name. */
  formatFilters: 32,
  formatNameLength: 16,
  /** An uploaded image's file name, in characters. */
  uploadNameLength: 255,
  /** An uploaded image id (the engine names uploads with a short random token). */
  uploadIdLength: 64,
  /** An uploaded image as base64 (48 MB of image). */
  uploadBase64Length: 64 * 1024 * 1024,
  /** Web mode: the largest JSON body of a request, and of an upload (its base64 plus the JSON around it). */
  requestBodyBytes: 1 << 20,
  uploadBodyBytes: 65 << 20,
  /** The renderer sends uploads up to this size as they are, and scales bigger ones down first. */
  rawUploadBytes: 600 * 1024,
  /** Longest side of an upload the renderer scaled down (CLIP looks at 224 px anyway). */
  uploadMaxSide: 1024,
  /** Characters of an unknown channel or field name quoted back in an error. */
  quotedNameLength: 80,
} as const;
