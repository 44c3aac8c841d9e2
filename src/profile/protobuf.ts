// The few protobuf primitives profile.proto needs: varints, length-delimited
// fields and packed repeated integers. Hand-written because the schema is
// fixed and small, and a direct writer avoids an intermediate object tree.

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const TWO_POW_32 = 0x1_0000_0000;
const textEncoder = new TextEncoder();

export class ProtoWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = new Uint8Array(initialSize);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Unsigned or signed integer as a varint (negative: 10-byte two's complement). */
  varint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (n >= 0 && n < 0x80) {
      buf[this.pos++] = n;
      return;
    }
    if (n < 0 || n > Number.MAX_SAFE_INTEGER) {
      this.varintBig(BigInt.asUintN(64, BigInt(Math.trunc(n))));
      return;
    }
    let lo = n % TWO_POW_32 >>> 0;
    let hi = Math.floor(n / TWO_POW_32);
    while (hi > 0) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = Math.floor(hi / 128);
    }
    while (lo > 0x7f) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  varintBig(n: bigint): void {
    this.ensure(10);
    let v = BigInt.asUintN(64, n);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** An int64/uint64/bool field, omitted when zero (proto3 default). */
  int(field: number, n: number): void {
    if (n === 0) return;
    this.tag(field, WIRE_VARINT);
    this.varint(n);
  }

  /** An int field written even when zero. */
  intAlways(field: number, n: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(n);
  }

  bigint(field: number, n: bigint): void {
    if (n === 0n) return;
    this.tag(field, WIRE_VARINT);
    this.varintBig(n);
  }

  bool(field: number, b: boolean): void {
    if (b) this.int(field, 1);
  }

  /** Repeated integers: packed when more than two, as Go writes them. */
  repeatedInt(field: number, values: ArrayLike<number>): void {
    if (values.length > 2) {
      this.tag(field, WIRE_BYTES);
      const start = this.beginLength();
      for (let i = 0; i < values.length; i++) this.varint(values[i]!);
      this.endLength(start);
    } else {
      for (let i = 0; i < values.length; i++) this.intAlways(field, values[i]!);
    }
  }

  string(field: number, s: string): void {
    this.tag(field, WIRE_BYTES);
    if (s.length === 0) {
      this.varint(0);
      return;
    }
    const maxBytes = s.length * 3;
    this.ensure(maxBytes + 5);
    const start = this.beginLength();
    const { written } = textEncoder.encodeInto(s, this.buf.subarray(this.pos));
    this.pos += written;
    this.endLength(start);
  }

  /** A nested message: `body` writes its fields. */
  message(field: number, body: () => void): void {
    this.tag(field, WIRE_BYTES);
    const start = this.beginLength();
    body();
    this.endLength(start);
  }

  /** Reserves one byte for a length; endLength moves the body if it needs more. */
  beginLength(): number {
    this.ensure(1);
    this.pos++;
    return this.pos;
  }

  endLength(start: number): void {
    const len = this.pos - start;
    if (len < 0x80) {
      this.buf[start - 1] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    this.pos += extra;
    let at = start - 1;
    let v = len;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export class ProtoDecodeError extends Error {}

export class ProtoReader {
  pos: number;
  /** End of the message being read; `enter`/`leave` move it in and out of nested messages. */
  end: number;
  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a number; int64 negatives (10 bytes) come back negative. */
  varint(): number {
    // Fast path: up to 4 bytes (28 bits, int32 arithmetic), when they cannot run past the end.
    const buf = this.buf;
    let pos = this.pos;
    if (pos + 4 <= this.end) {
      let b = buf[pos++]!;
      let result = b & 0x7f;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      b = buf[pos++]!;
      result |= (b & 0x7f) << 7;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      b = buf[pos++]!;
      result |= (b & 0x7f) << 14;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      b = buf[pos++]!;
      result |= (b & 0x7f) << 21;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
    }
    return this.varintSlow();
  }

  private varintSlow(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if (b < 0x80) {
      if (this.pos > this.end) throw new ProtoDecodeError("unexpected end of data");
      return b;
    }
    const start = this.pos - 1;
    let result = b & 0x7f;
    let mul = 128;
    for (let i = 1; i < 7; i++) {
      if (this.pos >= this.end) throw new ProtoDecodeError("unexpected end of data");
      b = buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    // 7+ bytes: beyond 2^49, fall back to exact arithmetic.
    this.pos = start;
    return Number(BigInt.asIntN(64, this.varintBig()));
  }

  varintBig(): bigint {
    // Fast path: up to 7 bytes (49 bits) in number arithmetic, when they cannot run past the end.
    const buf = this.buf;
    const start = this.pos;
    if (start + 7 <= this.end) {
      let result = 0;
      let mul = 1;
      for (let pos = start; pos < start + 7; pos++) {
        const b = buf[pos]!;
        result += (b & 0x7f) * mul;
        if (b < 0x80) {
          this.pos = pos + 1;
          return BigInt(result);
        }
        mul *= 128;
      }
    }
    return this.varintBigSlow();
  }

  private varintBigSlow(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoDecodeError("unexpected end of data");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtoDecodeError("varint too long");
  }

  /** Reads a length prefix, checks it, and returns the payload's end; `pos` is left at its start. */
  private payloadEnd(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (len < 0 || end > this.end) throw new ProtoDecodeError("length-delimited field runs past the end of its message");
    return end;
  }

  /** Reads a length prefix and returns [start, end] of the payload. */
  lengthDelimited(): [number, number] {
    const end = this.payloadEnd();
    const start = this.pos;
    this.pos = end;
    return [start, end];
  }

  /**
   * Steps into a length-delimited nested message without allocating a reader:
   * reads its length, limits `end` to it and returns the outer end, to give
   * back to `leave` once the message is read.
   */
  enter(): number {
    const end = this.payloadEnd();
    const outer = this.end;
    this.end = end;
    return outer;
  }

  /** Steps out of the message `enter` stepped into. */
  leave(outerEnd: number): void {
    this.pos = this.end;
    this.end = outerEnd;
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varintBig();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.payloadEnd();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new ProtoDecodeError(`unknown wire type: ${wire}`);
    }
    if (this.pos > this.end) throw new ProtoDecodeError("unexpected end of data");
  }

  /**
   * Skips a packed run of varints (the payload of a length-delimited field,
   * from `pos` to `end`), with varint()'s checks and errors: a varint cut by
   * the end, or longer than 10 bytes.
   */
  skipPackedVarints(): void {
    const buf = this.buf;
    const end = this.end;
    let run = 0;
    for (let pos = this.pos; pos < end; pos++) {
      if (buf[pos]! < 0x80) {
        run = 0;
      } else if (++run === 10) {
        throw new ProtoDecodeError("varint too long");
      }
    }
    if (run > 0) throw new ProtoDecodeError("unexpected end of data");
    this.pos = end;
  }

  /** Repeated integers, packed or not, appended to `out`. */
  repeatedInt(wire: number, out: number[]): void {
    if (wire === 2) {
      const outer = this.enter();
      while (this.pos < this.end) out.push(this.varint());
      this.leave(outer);
    } else if (wire === 0) {
      out.push(this.varint());
    } else {
      throw new ProtoDecodeError(`unexpected wire type ${wire} for a repeated integer`);
    }
  }
}
