// The block profile: synchronous waits that blocked the event loop.
export function setBlockProfileRate(_rate: number): void {}
