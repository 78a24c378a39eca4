// The simulator's link image: the link node (src/link/node.ts, as src/link-main.ts on the
// board) with the simulator's yield-lag probe. It joins the bus as a second device beside the
// controller and talks to the hub npm start runs (sim/session.ts withLink()).
import "./firmware-lag"
import { startLink } from "../src/link/node"

await startLink()
