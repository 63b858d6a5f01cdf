/*
 * Types for the parts of unzipper and exceljs (both pinned exactly in package.json) that the .xlsx reader of the
 * import uses and neither package declares: unzipper's central-directory reader, and exceljs's worksheet reader.
 */

declare module 'unzipper' {
  import { Readable } from 'node:stream';

  /** One entry of a zip file, from its central directory. */
  export interface CentralDirectoryFile {
    path: string;
    type: 'File' | 'Directory';
    uncompressedSize: number;
    /** Its contents, decompressed, read from the file on demand. */
    stream(): Readable;
  }

  export interface CentralDirectory {
    files: CentralDirectoryFile[];
  }

  export const Open: {
    /** Reads the central directory at the end of the file (and nothing else). */
    file(path: string): Promise<CentralDirectory>;
  };
}

declare module 'exceljs/lib/stream/xlsx/worksheet-reader' {
  import { Row } from 'exceljs';

  /** Parses one worksheet's XML, row by row, against its workbook's shared strings and styles. */
  class WorksheetReader {
    constructor(options: { workbook: unknown; id: number | string; iterator: AsyncIterable<string | Buffer>; options: object });
    [Symbol.asyncIterator](): AsyncGenerator<Row>;
  }
  export = WorksheetReader;
}
