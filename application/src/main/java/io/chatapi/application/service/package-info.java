/** The use-case implementations; wired by the bootstrap module only. */
package io.chatapi.application.service;
