// kubeedge-ha: the Pulumi program (`pulumi up`). Stack config → components → stack outputs.
import { program } from "./stacks/program";

export = program();
