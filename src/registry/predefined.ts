// Registers the predefined profiles (heap, allocs, goroutine, threadcreate,
// block, mutex) with the sources that collect them.

import { registerPredefined } from "./profile.js";
import { heapCount, heapProfileData, heapText } from "../collect/heap.js";
import { goroutineSource } from "../collect/goroutine.js";
import { threadcreateSource } from "../collect/threadcreate.js";
import { blockSource } from "../collect/block.js";
import { mutexSource } from "../collect/mutex.js";

// Go's heap and allocs print the same text for any debug != 0.
const heapIsText = (debug: number) => debug !== 0;
registerPredefined("heap", { count: heapCount, collect: () => heapProfileData(), text: heapText, isText: heapIsText });
registerPredefined("allocs", { count: heapCount, collect: () => heapProfileData("alloc_space"), text: heapText, isText: heapIsText });

registerPredefined("goroutine", goroutineSource);
registerPredefined("threadcreate", threadcreateSource);
registerPredefined("block", blockSource);
registerPredefined("mutex", mutexSource);
