import { afterAll } from "vitest"

import { removeTempDirs } from "../../sim/tempDirs.js"

// Every test file removes the temporary stores and folders it made (a failed test's included).
afterAll(removeTempDirs)
