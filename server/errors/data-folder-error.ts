/**
 * The server refuses to start on its data folder: a file is missing, damaged, not writable or does
 * not belong with the others. The message is one line that names the file, says what is wrong and
 * what to do; `mdmlab serve` prints it as it is (no stack) and exits non-zero. Never sent to a
 * client: it only exists before the server listens.
 */
export class DataFolderError extends Error {
  /** The file (or folder) at fault. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataFolderError';
    this.file = file;
  }
}

/** What to do when the folder's data is damaged or lost: the same two ways out for every file. */
export const RESTORE_OR_RESET = 'restore it from a backup, or remove the data folder to start afresh (every device must then enroll again)';
