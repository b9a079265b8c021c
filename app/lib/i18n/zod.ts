import { z } from 'zod'
import { msg } from './index'

/**
 * zod's own messages (a schema without a message of its own) become message references too, so a form shows them
 * in the person's language. The references are the same in every language, so one global setting serves every
 * request.
 */
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case 'too_small':
        return issue.origin === 'string' && issue.minimum === 1 ? msg('validation.required') : msg('validation.tooSmall', { min: Number(issue.minimum) })
      case 'too_big':
        return issue.origin === 'string' ? msg('validation.maxChars', { max: Number(issue.maximum) }) : msg('validation.tooBig', { max: Number(issue.maximum) })
      case 'invalid_value':
        return msg('validation.chooseOne')
      case 'invalid_format':
        return issue.format === 'email' ? msg('validation.invalidEmail') : msg('validation.invalid')
      case 'invalid_type':
        return issue.input === undefined ? msg('validation.required') : msg('validation.invalid')
      default:
        return msg('validation.invalid')
    }
  },
})
