// The mutex profile: callbacks that held the event loop and delayed the work queued behind them.
export function setMutexProfileFraction(_rate: number): number {
  return 0;
}
