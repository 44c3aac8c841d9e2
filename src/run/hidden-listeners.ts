// The preload's signal listeners, hidden from the program's view of them.
// Libraries decide what a signal means by looking at its listeners:
// signal-exit (in npm and many CLIs) re-raises a signal only when its own
// listeners are the only ones, and would otherwise leave it to tsprof's
// listener, which in turn waits for theirs. So process.listeners() and
// rawListeners() leave tsprof's listeners out. listenerCount() is left as it
// is: Node itself stops catching a signal when it counts no listener, which
// would let the signal kill the process before tsprof's listener runs.

type Listener = (...args: unknown[]) => void;

export function hideListeners(hidden: ReadonlyMap<string | symbol, Listener>): void {
  const { listeners, rawListeners } = process;
  const visible = (event: string | symbol, all: Listener[]): Listener[] => {
    const ours = hidden.get(event);
    return ours ? all.filter((fn) => fn !== ours) : all;
  };
  process.listeners = function (this: NodeJS.Process, event: string | symbol) {
    return visible(event, Reflect.apply(listeners, this, [event]) as Listener[]);
  } as typeof process.listeners;
  process.rawListeners = function (this: NodeJS.Process, event: string | symbol) {
    return visible(event, Reflect.apply(rawListeners, this, [event]) as Listener[]);
  } as typeof process.rawListeners;
}
