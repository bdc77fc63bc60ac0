/**
 * The file types people may share in a chat, decided by the bytes (file-type's magic-number
 * sniffing), never by the extension or the Content-Type the browser claims. Everything not listed
 * is refused: executables, archives, HTML and SVG (both run script when opened from our origin),
 * macro-enabled Office files, media.
 */

export interface AllowedType {
  /** The content type we store and serve. */
  contentType: string;
  /** Extensions a file of this type may carry; the first is added when the name has none of them. */
  extensions: readonly string[];
  /** Images are shown inline in the chat; everything else downloads. */
  inline: boolean;
}

const image = (contentType: string, ...extensions: string[]): AllowedType => ({
  contentType,
  extensions,
  inline: true,
});
const document = (contentType: string, ...extensions: string[]): AllowedType => ({
  contentType,
  extensions,
  inline: false,
});

/** Keyed by file-type's `ext` for the detected type. */
export const SNIFFED_TYPES: Readonly<Record<string, AllowedType>> = {
  png: image('image/png', 'png'),
  apng: image('image/apng', 'png', 'apng'),
  jpg: image('image/jpeg', 'jpg', 'jpeg', 'jfif'),
  gif: image('image/gif', 'gif'),
  webp: image('image/webp', 'webp'),
  // iPhone photos; file-type reports image/heic or image/heif, stored as reported (see sniff.ts).
  heic: image('image/heic', 'heic', 'heif'),
  avif: image('image/avif', 'avif'),
  pdf: document('application/pdf', 'pdf'),
  docx: document('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'),
  xlsx: document('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'),
  pptx: document('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'),
  odt: document('application/vnd.oasis.opendocument.text', 'odt'),
  ods: document('application/vnd.oasis.opendocument.spreadsheet', 'ods'),
  odp: document('application/vnd.oasis.opendocument.presentation', 'odp'),
};

/**
 * Legacy Office files are Compound File Binary containers, and so are MSI installers: the magic
 * number cannot tell them apart. A CFB file is accepted only under one of these extensions, and is
 * served under it, so it opens in Office and never in an installer.
 */
export const LEGACY_OFFICE_TYPES: Readonly<Record<string, AllowedType>> = {
  doc: document('application/msword', 'doc'),
  xls: document('application/vnd.ms-excel', 'xls'),
  ppt: document('application/vnd.ms-powerpoint', 'ppt'),
};

/** Text has no magic number: accepted when it is valid UTF-8 without NULs and declared as one of these. */
export const TEXT_TYPES: Readonly<Record<string, AllowedType>> = {
  'text/plain': document('text/plain; charset=utf-8', 'txt', 'text', 'log', 'md'),
  'text/csv': document('text/csv; charset=utf-8', 'csv'),
};

/** For error messages: what people may upload, in words. */
export const ALLOWED_DESCRIPTION =
  'images (PNG, JPEG, GIF, WebP, HEIC, AVIF), PDF, plain text or CSV (UTF-8), and Office documents (Word, Excel, PowerPoint, OpenDocument)';
