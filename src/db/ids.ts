/** Primary keys are UUID v7: time-ordered, so b-tree inserts stay local and ids sort by creation. */
import { v7 } from 'uuid';

export const newId = (): string => v7();
