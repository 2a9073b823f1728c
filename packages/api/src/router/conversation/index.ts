import { createRouter } from "../../trpc";
import { get } from "./get";
import { assigned, list } from "./list";
import {
  assign,
  bulk,
  markRead,
  setJunkProcedure,
  setLabelsProcedure,
  setStatusProcedure,
  snoozeProcedure,
} from "./update";

export const conversationRouter = createRouter({
  list,
  assigned,
  get,
  setStatus: setStatusProcedure,
  setJunk: setJunkProcedure,
  setLabels: setLabelsProcedure,
  snooze: snoozeProcedure,
  bulk,
  assign,
  markRead,
});
