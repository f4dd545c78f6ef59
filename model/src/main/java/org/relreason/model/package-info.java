/** The learning core of relreason: everything that computes, with no networking in it. */
package org.relreason.model;
