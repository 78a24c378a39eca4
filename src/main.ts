import * as ds from "@devicescript/core"
console.log("main")
