import type { PublicUser } from "@madoguchi/core";
import { iso } from "./iso";

export interface UserView {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  active: boolean;
  locale: string;
  timeZone: string;
  mustChangePassword: boolean;
  createdAt: string;
}

export const userView = (u: PublicUser): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  isAdmin: u.isAdmin,
  active: u.active,
  locale: u.locale,
  timeZone: u.timeZone,
  mustChangePassword: u.mustChangePassword,
  createdAt: iso(u.createdAt),
});
