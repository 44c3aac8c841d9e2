// A source that cannot be read: its message is printed as is, after the source's name.
export class SourceError extends Error {
  override name = "SourceError";
}
