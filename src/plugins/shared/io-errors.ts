/**
 * I/O errors as a Rust plugin prints them: glibc's `strerror` text and `(os error N)`, e.g.
 * `No such file or directory (os error 2)`. Node gives `err.code`/`err.errno` and libuv's own wording instead, so
 * the Linux numbers and texts are kept here for the errors file operations meet.
 */
const LINUX: Readonly<Record<string, readonly [number, string]>> = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  EIO: [5, 'Input/output error'],
  EBADF: [9, 'Bad file descriptor'],
  EAGAIN: [11, 'Resource temporarily unavailable'],
  ENOMEM: [12, 'Cannot allocate memory'],
  EACCES: [13, 'Permission denied'],
  EBUSY: [16, 'Device or resource busy'],
  EEXIST: [17, 'File exists'],
  EXDEV: [18, 'Invalid cross-device link'],
  ENOTDIR: [20, 'Not a directory'],
  EISDIR: [21, 'Is a directory'],
  EINVAL: [22, 'Invalid argument'],
  EMFILE: [24, 'Too many open files'],
  ETXTBSY: [26, 'Text file busy'],
  EFBIG: [27, 'File too large'],
  ENOSPC: [28, 'No space left on device'],
  ESPIPE: [29, 'Illegal seek'],
  EROFS: [30, 'Read-only file system'],
  EMLINK: [31, 'Too many links'],
  EPIPE: [32, 'Broken pipe'],
  ENAMETOOLONG: [36, 'File name too long'],
  ENOTEMPTY: [39, 'Directory not empty'],
  ELOOP: [40, 'Too many levels of symbolic links'],
};

/** `<text> (os error N)` for a Node error; other values print as their message. */
export function ioErrorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  const known = typeof e?.code === 'string' ? LINUX[e.code] : undefined;
  if (known !== undefined) return `${known[1]} (os error ${known[0]})`;
  if (typeof e?.errno === 'number') return `${e.message} (os error ${Math.abs(e.errno)})`;
  return error instanceof Error ? error.message : String(error);
}
